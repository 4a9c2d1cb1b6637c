// Words of the wall (issue 10: clusters, the ticker of today's counts, the sound alert), zh-CN first, English second;
// spread into DICTIONARY. Prefix wl_.

export const WORDS_WALL = {
  wl_legend_cluster: { zh: '同处多案（数字为件数，颜色取最严重）', en: 'Several cases here (count; colour of the worst)' },
  wl_spot_title: { zh: '此处案件', en: 'Cases at this spot' },
  wl_today: { zh: '今日', en: 'Today' },
  wl_reported: { zh: '上报', en: 'Reported' },
  wl_filed: { zh: '立案', en: 'Filed' },
  wl_dispatched: { zh: '派遣', en: 'Dispatched' },
  wl_closed: { zh: '结案', en: 'Closed' },
  wl_overdue: { zh: '超时', en: 'Overdue' },
  wl_ticker_stale: { zh: '今日统计暂未更新，稍后自动重试', en: 'Today\'s counts are not up to date; retrying by itself' },
  wl_sound_on: { zh: '声音提醒：开', en: 'Sound alert: on' },
  wl_sound_off: { zh: '声音提醒：关', en: 'Sound alert: off' },
  wl_sound_hint: { zh: '新的紧急或超时（红灯）案件响铃提示', en: 'Beeps for each new urgent or overdue (red) case' },
} as const;
