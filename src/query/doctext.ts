// Kept until files rewritten on another branch import format/doctext directly.
export * from '../format/doctext';
