// Pinned versions of the real parts the tests and the sandbox run against. One place to change them.
export const versions = {
  // code-server 4.99.4 ships VS Code 1.99.3 and runs on Node 20 (newer releases need Node 22+).
  codeServer: '4.99.4',
  vscode: '1.99.3',
  // What code-server's @vscode/ripgrep postinstall looks for before it tries GitHub.
  vscodeRipgrepCache: 'vscode-ripgrep-cache-1.15.11',
  ripgrepArchive: 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz',
};
