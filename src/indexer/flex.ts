// Kept until files rewritten on another branch import format/flex directly.
export * from '../format/flex';
