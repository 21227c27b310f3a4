// Kept until files rewritten on another branch import format/manifest directly.
export * from '../format/manifest';
