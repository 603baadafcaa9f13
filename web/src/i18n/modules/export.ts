/** Exporting a view or through an export template, and the import template download. */
const zh = {
  export: {
    importTemplate: "下载导入模板",
  },
};

const en: typeof zh = {
  export: {
    importTemplate: "Download import template",
  },
};

export default { "zh-CN": zh, en };
