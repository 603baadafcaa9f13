import { EditPen, Iphone, Link, Message } from "@element-plus/icons-vue";
import { registerField } from "../registry";

const editor = () => import("../editors/TextEditor.vue");
const format = (v: unknown) => String(v);
const settings = ["description", "placeholder", "max_length"];

registerField({ type: "text", icon: EditPen, group: "basic", editor, format, empty: () => null, settings });
registerField({ type: "phone", icon: Iphone, group: "contact", editor, format, empty: () => null, settings });
registerField({ type: "email", icon: Message, group: "contact", editor, format, empty: () => null, settings });
registerField({ type: "url", icon: Link, group: "contact", editor, format, empty: () => null, settings });
