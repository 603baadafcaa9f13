import { fileURLToPath, URL } from "node:url";
import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";
import Components from "unplugin-vue-components/vite";
import { ElementPlusResolver } from "unplugin-vue-components/resolvers";

// The SPA is built into the Python package and served by `qiao serve` at "/".
// Element Plus components are imported where templates use them (with their CSS), so
// each route's chunk carries only what it needs.
export default defineConfig({
  plugins: [vue(), Components({ resolvers: [ElementPlusResolver({ importStyle: "css", directives: true })], dts: false })],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  build: {
    outDir: fileURLToPath(new URL("../src/qiao/web/dist", import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 600,
  },
  server: { proxy: { "/api": "http://127.0.0.1:8000" } },
  // component tests mount Element Plus: its style imports (CSS) go through Vite, not Node
  test: { environment: "jsdom", server: { deps: { inline: [/element-plus/] } } },
});
