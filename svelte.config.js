// Svelte 5 in runes mode everywhere; component CSS goes to external files so the CSP can forbid inline styles.
export default {
  compilerOptions: { runes: true, css: 'external' },
};
