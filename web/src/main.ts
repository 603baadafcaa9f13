import { createApp } from "vue";
import { createPinia } from "pinia";
// base styles and the services used from scripts (ElMessage, ElMessageBox); components
// bring their own CSS through unplugin-vue-components
import "element-plus/theme-chalk/base.css";
import "element-plus/theme-chalk/el-message.css";
import "element-plus/theme-chalk/el-message-box.css";
import "element-plus/theme-chalk/el-overlay.css";
import "element-plus/theme-chalk/el-notification.css";
import App from "./App.vue";
import { i18n } from "./i18n";
import { router } from "./router";

createApp(App).use(createPinia()).use(i18n).use(router).mount("#app");
