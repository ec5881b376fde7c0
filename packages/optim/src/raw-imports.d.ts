// Vite/vitest `?raw` imports (used by the README test only).
declare module '*?raw' {
  const text: string;
  export default text;
}
