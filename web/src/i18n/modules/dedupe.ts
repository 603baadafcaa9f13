/** Finding duplicate records in a form and merging them (with undo). */
const zh = {
  dedupe: {
    menu: "查找重复",
  },
};

const en: typeof zh = {
  dedupe: {
    menu: "Find duplicates",
  },
};

export default { "zh-CN": zh, en };
