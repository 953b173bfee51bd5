// esbuild bundles imported style sheets into dist/webview/main.css.
declare module '*.css';
