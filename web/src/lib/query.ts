import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { ApiError } from "./api/client";
import { watchFetches } from "./events";

let leaving = false;

/**
 * The app is about to leave (logging out): a 401 met meanwhile (the event
 * stream ending with the session asks who we are) no longer sends the
 * browser to the login page with this screen as "next"; leaveTo decides.
 */
export function holdLoginRedirects() {
  leaving = true;
}

/** Leaves the app with a full page load; later 401 redirects are ignored. */
export function leaveTo(url: string) {
  leaving = true;
  // a full page load on purpose: nothing of the old session survives
  window.location.assign(url);
}

/** Sends the browser to the login page, remembering where it was. */
export function redirectToLogin() {
  if (leaving || typeof window === "undefined" || window.location.pathname === "/login") return;
  leaving = true;
  const next = window.location.pathname + window.location.search;
  // a full page load on purpose: nothing of the old session survives
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination
  window.location.assign("/login?next=" + encodeURIComponent(next));
}

function onError(err: unknown) {
  if (err instanceof ApiError && err.status === 401) redirectToLogin();
}

/**
 * The one QueryClient. The browser keeps no cache: every query is stale at
 * once and dropped as soon as nothing uses it, so a remounted screen always
 * asks the server (whose Redis cache is the only cache). Queries retry once,
 * never on a 4xx; mutations never retry.
 */
export function makeQueryClient() {
  const client = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        staleTime: 0,
        gcTime: 0,
        refetchOnMount: true,
        refetchOnWindowFocus: true,
        refetchOnReconnect: true,
        retry: (failures, err) => !(err instanceof ApiError && err.isClientError) && failures < 1,
      },
      mutations: { retry: false },
    },
  });
  watchFetches(client); // for the event stream's hello (see lib/events)
  return client;
}
