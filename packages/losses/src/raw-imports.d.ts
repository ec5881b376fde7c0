// Vite/vitest `?raw` imports (used by readme.test.ts to compare the README with examples/readme.ts).
declare module '*?raw' {
  const text: string;
  export default text;
}
