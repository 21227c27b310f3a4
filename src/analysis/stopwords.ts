/**
 * Stop words: never terms, dropped from queries. Chinese function words only matter
 * for long query chunks that get segmented; short chunks match as substrings anyway.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  // English
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'is', 'it',
  'no', 'not', 'of', 'on', 'or', 'such', 'that', 'the', 'their', 'then', 'there', 'these',
  'they', 'this', 'to', 'was', 'will', 'with',
  // Chinese function words and particles
  '的', '了', '和', '是', '在', '也', '与', '及', '或', '就', '都', '而', '着', '之', '于',
  '把', '被', '让', '给', '对', '从', '向', '但', '并', '很', '还', '又', '吗', '呢', '吧',
  '啊', '呀', '哦', '嗯', '个', '这', '那', '其', '所', '以', '为', '得', '地', '等',
]);
