// Kept until files rewritten on another branch import format/bigram-postings directly.
export * from '../format/bigram-postings';
