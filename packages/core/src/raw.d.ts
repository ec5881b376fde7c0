// Vite/vitest `?raw` imports (used by readme.test.ts to read README.md without node: APIs).
declare module '*.md?raw' {
  const content: string;
  export default content;
}
