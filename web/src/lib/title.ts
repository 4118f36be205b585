import { useEffect } from "react";
import { useI18n } from "./i18n";
import type { MessageKey } from "./messages";

/** Titles the browser tab after the screen, in the current language: "Orders · Pishkhan". */
export function useDocumentTitle(key: MessageKey) {
  const { t } = useI18n();
  const title = t(key);
  const app = t("appName");
  useEffect(() => {
    document.title = title === app ? app : `${title} · ${app}`;
  }, [title, app]);
}
