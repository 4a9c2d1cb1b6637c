// Words of the inspector's offline copy of their cases (issue 9: the task list and case details kept on the phone),
// zh-CN first, English second; spread into DICTIONARY. Prefix oc_.

export const WORDS_OFFLINE_COPY = {
  oc_copy_as_of: { zh: '离线副本，更新于', en: 'Offline copy, as of' },
  oc_list_copy_hint: { zh: '恢复网络后自动刷新', en: 'Refreshed by itself when the network returns' },
  oc_case_copy_hint: { zh: '核实、核查结果将先保存在本机，恢复网络后自动发送', en: 'A verify or check result is kept on this phone and sent when the network returns' },
  oc_not_kept: { zh: '本机没有该案件的离线副本：请在有网络时重新打开', en: 'This case is not kept on this phone: open it again when you have a network' },
} as const;
