import type { Locale } from "@/lib/i18n";
import type { Permission } from "./api";

/**
 * The permission catalogue comes from the server with English descriptions
 * (GET /api/permissions). Persian descriptions and the areas' names live
 * here; a permission or area this table does not know yet shows what the
 * server sent.
 */
const faDescriptions: Record<string, string> = {
  "orders.view": "دیدن سفارش‌ها، اقلام و تاریخچهٔ آن‌ها",
  "orders.create": "ثبت سفارش",
  "orders.update_status": "تغییر وضعیت سفارش‌ها",
  "customers.view_pii": "دیدن ایمیل و تلفن کامل مشتریان",
  "users.view": "دیدن کاربران",
  "users.manage": "دعوت، ویرایش و غیرفعال کردن کاربران؛ دیدن همهٔ نشست‌ها",
  "roles.manage": "ساختن و ویرایش نقش‌ها و مجوزهایشان",
  "audit.view": "خواندن گزارش ممیزی",
  "media.view": "دیدن کتابخانهٔ رسانه",
  "media.upload": "بارگذاری رسانه",
  "media.delete": "حذف رسانه",
  "stats.view": "دیدن داشبورد آمار",
  "content.view": "دیدن نوشته‌های وبلاگ و نمونه‌کارها، پیش‌نویس‌ها هم",
  "content.edit": "نوشتن و ویرایش نوشته‌ها و نمونه‌کارها و فرستادن برای بازبینی",
  "content.publish": "انتشار، زمان‌بندی، برداشتن از انتشار و بایگانی نوشته‌ها و نمونه‌کارها",
  "webhooks.manage": "ثبت و مدیریت وب‌هوک‌ها و دیدن گزارش ارسال‌ها",
  "ai.generate": "تولید متن و تصویر با هوش مصنوعی",
  "ai.manage": "مدیریت سرویس‌دهنده‌های هوش مصنوعی و کلیدهایشان، قالب‌های دستور و سقف هزینه‌ها؛ دیدن مصرف همه",
  "chatbot.view": "دیدن گفت‌وگوهای چت‌بات، پرسش‌های پرتکرار و پاسخ‌های آماده",
  "chatbot.handle": "گرفتن گفت‌وگوهای وب‌سایت از ربات، پاسخ به بازدیدکنندگان و بستن گفت‌وگو",
  "chatbot.manage": "ویرایش پرسش‌های پرتکرار و پاسخ‌های آمادهٔ چت‌بات",
  "settings.manage": "تغییر تنظیمات سامانه",
  "jobs.manage": "دیدن کارهای پس‌زمینه؛ اجرای دوبارهٔ کارهای ناموفق و لغو کارهای در انتظار",
};

const areas: Record<Locale, Record<string, string>> = {
  fa: {
    orders: "سفارش‌ها", customers: "مشتریان", users: "کاربران", roles: "نقش‌ها", audit: "گزارش ممیزی",
    media: "رسانه‌ها", stats: "آمار", content: "محتوا", webhooks: "وب‌هوک‌ها", ai: "هوش مصنوعی",
    chatbot: "چت‌بات", settings: "تنظیمات", jobs: "کارهای پس‌زمینه",
  },
  en: {
    orders: "Orders", customers: "Customers", users: "Users", roles: "Roles", audit: "Audit log",
    media: "Media", stats: "Statistics", content: "Content", webhooks: "Webhooks", ai: "AI",
    chatbot: "Chatbot", settings: "Settings", jobs: "Background jobs",
  },
};

export function permissionDescription(locale: Locale, p: Pick<Permission, "name" | "description">): string {
  return (locale === "fa" && faDescriptions[p.name]) || p.description;
}

/** Areas in the order of the panel's menu (API.md section 3); unknown ones follow by name. */
export function areaRank(area: string): number {
  const i = Object.keys(areas.en).indexOf(area);
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
}

export function areaName(locale: Locale, area: string): string {
  return areas[locale][area] ?? area;
}

/** Persian names of the built-in roles, by their stable names; custom roles show as named. */
const faBuiltinNames: Record<string, string> = {
  Administrator: "مدیر کل",
  Manager: "مدیر",
  Editor: "ویراستار",
  Support: "پشتیبانی",
  Viewer: "بیننده",
};

/** A role's name to show: the built-in ones translated in fa (no custom role can share their names). */
export function roleName(locale: Locale, name: string): string {
  return (locale === "fa" && Object.hasOwn(faBuiltinNames, name) && faBuiltinNames[name]) || name;
}

/** Persian descriptions of the built-in roles. */
const faBuiltinRoles: Record<string, string> = {
  Administrator: "همهٔ مجوزها (وضعیت ابرکاربر جداگانه است)",
  Manager: "ادارهٔ فروشگاه و محتوا؛ دیدن کاربران و گزارش ممیزی",
  Editor: "نوشتن و انتشار وبلاگ و نمونه‌کارها، با رسانه و هوش مصنوعی",
  Support: "پاسخ به مشتریان: سفارش‌ها با اطلاعات تماس، تغییر وضعیت، چت‌بات",
  Viewer: "خواندن سفارش‌ها (بدون اطلاعات تماس)، آمار و محتوا",
};

export function roleDescription(locale: Locale, r: { name: string; description: string; builtin: boolean }): string {
  return (locale === "fa" && r.builtin && faBuiltinRoles[r.name]) || r.description;
}
