// The map page's words: zh-CN first, English second. Keys are stable identifiers; values are display text.

export type Lang = 'zh' | 'en';

export const DICTIONARY = {
  app_title: { zh: '网格化城市管理', en: 'Grid-based urban management' },
  app_subtitle: { zh: '数字化城管 · 综合指挥', en: 'Digital city management · Command centre' },
  loading: { zh: '加载中…', en: 'Loading…' },
  retry: { zh: '重试', en: 'Retry' },
  close: { zh: '关闭', en: 'Close' },
  no_district: { zh: '尚未加载辖区数据', en: 'No district loaded' },
  config_failed: { zh: '无法读取系统配置', en: 'Could not load the configuration' },
  lang_toggle: { zh: 'EN', en: '中文' },
  lang_toggle_title: { zh: 'Switch to English', en: '切换到中文' },

  // Side panel
  overview: { zh: '辖区概览', en: 'District overview' },
  streets: { zh: '街道', en: 'Streets' },
  communities: { zh: '社区', en: 'Communities' },
  click_hint: { zh: '点击地图上的单元网格或部件查看详情', en: 'Click a unit grid or a component on the map for details' },
  zoom_hint: { zh: '部件在低缩放级别按网格/社区聚合显示，放大后显示点位', en: 'Components are clustered by grid or community until you zoom in' },

  // Legend and layers
  legend: { zh: '图例', en: 'Legend' },
  layers: { zh: '图层', en: 'Layers' },
  layer_grids: { zh: '单元网格', en: 'Unit grids' },
  layer_components: { zh: '管理部件', en: 'Components' },
  layer_labels: { zh: '标注', en: 'Labels' },
  layer_basemap: { zh: '影像/底图', en: 'Raster basemap' },
  grid_aggregated: { zh: '社区汇总（低缩放级别）', en: 'Community summary (low zoom)' },
  cluster: { zh: '部件聚合（数量）', en: 'Component cluster (count)' },
  status_ring: { zh: '外圈颜色 = 部件状态', en: 'Ring colour = status' },

  // Detail: kinds
  kind_grid: { zh: '单元网格', en: 'Unit grid' },
  kind_component: { zh: '管理部件', en: 'Component' },
  detail_loading: { zh: '正在读取详情…', en: 'Loading details…' },
  detail_failed: { zh: '读取详情失败', en: 'Could not load details' },
  attrs: { zh: '扩展属性', en: 'Extra attributes' },
  empty: { zh: '—', en: '—' },

  // Grid fields (domain.md §1)
  f_grid_code: { zh: '网格编码', en: 'Grid code' },
  f_community: { zh: '所属社区', en: 'Community' },
  f_street: { zh: '所属街道', en: 'Street' },
  f_district_code: { zh: '区县代码', en: 'District code' },
  f_area: { zh: '面积', en: 'Area' },
  f_land_use: { zh: '用地类型', en: 'Land use' },
  f_management_level: { zh: '管理等级', en: 'Management level' },
  f_responsible_body: { zh: '责任主体', en: 'Responsible body' },
  f_valid_from: { zh: '启用日期', en: 'Valid from' },
  f_valid_to: { zh: '终止日期', en: 'Valid to' },
  f_component_count: { zh: '部件数量', en: 'Components' },
  current: { zh: '现行', en: 'current' },

  // Component fields (domain.md §3, GB/T 47678.5-2026 table 2)
  f_component_id: { zh: '部件标识码', en: 'Component ID' },
  f_class: { zh: '部件类别', en: 'Class' },
  f_major: { zh: '大类', en: 'Major class' },
  f_status: { zh: '部件状态', en: 'Status' },
  f_survey_date: { zh: '初始普查日期', en: 'Survey date' },
  f_change_date: { zh: '变更日期', en: 'Change date' },
  f_data_source: { zh: '数据来源', en: 'Data source' },
  f_note: { zh: '备注', en: 'Note' },
  f_grid: { zh: '所在单元网格', en: 'Unit grid' },
  f_supervising: { zh: '主管部门', en: 'Supervising department' },
  f_owner: { zh: '权属单位', en: 'Owner' },
  f_maintainer: { zh: '养护单位', en: 'Maintainer' },

  // Majors (domain.md §2)
  major_01: { zh: '市政公用设施', en: 'Municipal utilities' },
  major_02: { zh: '交通设施', en: 'Traffic facilities' },
  major_03: { zh: '市容环卫设施', en: 'Sanitation facilities' },
  major_04: { zh: '园林绿化设施', en: 'Landscaping & greenery' },
  major_05: { zh: '其他设施', en: 'Other facilities' },

  // Statuses (domain.md §3)
  status_intact: { zh: '完好', en: 'intact' },
  status_damaged: { zh: '破损', en: 'damaged' },
  status_missing: { zh: '丢失', en: 'missing' },
  status_abandoned: { zh: '废弃', en: 'abandoned' },
  status_removed: { zh: '移除', en: 'removed' },

  // Readout
  zoom: { zh: '级别', en: 'Zoom' },
  lon: { zh: '经度', en: 'Lon' },
  lat: { zh: '纬度', en: 'Lat' },
} as const satisfies Record<string, Record<Lang, string>>;

export type MessageKey = keyof typeof DICTIONARY;
