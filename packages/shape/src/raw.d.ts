// Vite/vitest `?raw` imports (used by readme.test.ts to read README.md and package.json without node: APIs).
declare module '*?raw' {
  const content: string;
  export default content;
}
