/** File fields: attachment, image and signature widgets and their settings. */
const zh = {
  files: {
    upload: "上传文件",
    addImage: "添加图片",
    camera: "拍照",
    remove: "移除",
    limits: "最多 {max} 个，每个不超过 {mb} MB",
    tooMany: "最多只能上传 {max} 个文件",
    tooLarge: "文件「{name}」超过 {max} MB",
    uploadFailed: "文件「{name}」上传失败",
    signature: "签名",
    sign: "手写签名",
    signHere: "请在上方框内签名",
    clear: "清除",
    cancel: "取消",
    confirm: "确认签名",
    resign: "重新签名",
    settings: {
      maxFiles: "最多文件数",
      maxSize: "单个文件上限 (MB)",
      accept: "允许的类型",
      acceptHelp: "都不选表示允许全部类型；上传时按文件内容校验",
      thumbnail: "生成缩略图",
      penColor: "笔迹颜色",
    },
    groups: { image: "图片", pdf: "PDF", office: "Office 文档", text: "文本", archive: "压缩包", audio: "音频", video: "视频" },
  },
};

const en: typeof zh = {
  files: {
    upload: "Upload files",
    addImage: "Add image",
    camera: "Camera",
    remove: "Remove",
    limits: "Up to {max} files, {mb} MB each",
    tooMany: "At most {max} files can be uploaded",
    tooLarge: "File \"{name}\" is larger than {max} MB",
    uploadFailed: "Uploading \"{name}\" failed",
    signature: "Signature",
    sign: "Sign",
    signHere: "Sign in the box above",
    clear: "Clear",
    cancel: "Cancel",
    confirm: "Confirm",
    resign: "Sign again",
    settings: {
      maxFiles: "Max files",
      maxSize: "Max size per file (MB)",
      accept: "Allowed types",
      acceptHelp: "None chosen: every type; uploads are checked by their content",
      thumbnail: "Make thumbnails",
      penColor: "Pen colour",
    },
    groups: { image: "Images", pdf: "PDF", office: "Office documents", text: "Text", archive: "Archives", audio: "Audio", video: "Video" },
  },
};

export default { "zh-CN": zh, en };
