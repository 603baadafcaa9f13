/** The icons an app can wear (stored by name in the app's `icon`). */
import type { Component } from "vue";
import {
  Briefcase, Coin, DataAnalysis, Document, Goods, Headset, House, Management, Money, Notebook, Phone, Promotion,
  Shop, ShoppingCart, Star, Tickets, Trophy, User, UserFilled, Van,
} from "@element-plus/icons-vue";

export const APP_ICONS: Record<string, Component> = {
  app: Management, briefcase: Briefcase, user: User, team: UserFilled, goods: Goods, money: Money, coin: Coin,
  cart: ShoppingCart, shop: Shop, phone: Phone, service: Headset, document: Document, notebook: Notebook,
  tickets: Tickets, chart: DataAnalysis, promotion: Promotion, trophy: Trophy, star: Star, van: Van, house: House,
};

export const APP_COLORS = ["#2f6bff", "#00b578", "#ff8f1f", "#fa5151", "#7b61ff", "#13c2c2", "#eb2f96", "#606266"];

export function appIcon(name: string): Component {
  return APP_ICONS[name] ?? Management;
}
