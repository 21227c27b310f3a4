// Kept until files rewritten on another branch import format/codec directly.
export * from '../format/codec';
