import type { NextConfig } from "next";

// A static export, embedded in the Go binary: no SSR, no server actions,
// no middleware. Detail pages use query strings (/orders/detail?id=42).
const config: NextConfig = {
  output: "export",
  images: { unoptimized: true },
  reactStrictMode: true,
  poweredByHeader: false,
};

export default config;
