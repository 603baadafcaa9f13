/** The field widgets: import from "@/fields" so that every type module is registered. */
import.meta.glob("./types/*.ts", { eager: true });

export { allWidgets, formatValue, isEmpty, registerField, widgetFor } from "./registry";
export type { FieldWidget, PaletteGroup } from "./registry";
