/**
 * zhsearch's default synonyms and abbreviations (format: see analysis/synonyms). Written
 * for news and commentary archives: abbreviations, full names, and the names Taiwan and
 * Hong Kong media use for the same people and things. Replace it with SYNONYMS_FILE.
 */
export const DEFAULT_SYNONYMS = `
# Organisations and their abbreviations
阿塔, 阿富汗塔利班
世卫组织, 世卫, 世界卫生组织
北约, 北大西洋公约组织, NATO
欧盟, 欧洲联盟
东盟, 东南亚国家联盟, ASEAN
世贸组织, 世贸, 世界贸易组织, WTO
国台办, 国务院台湾事务办公室
全国人大, 全国人民代表大会
全国政协, 中国人民政治协商会议
中共, 中国共产党
港府, 香港特区政府, 香港特别行政区政府

# The pandemic
新冠, 新冠肺炎, 新型冠状病毒, 新冠病毒, COVID-19

# People: mainland and Taiwan/Hong Kong transliterations
特朗普, 川普
普京, 普丁
蓬佩奥, 庞皮欧
奥巴马, 欧巴马
默克尔, 梅克尔

# Everyday vocabulary that differs across the strait
软件, 软体
网络, 网路
信息, 资讯
激光, 镭射
出租车, 计程车, 的士
悉尼, 雪梨
`;
