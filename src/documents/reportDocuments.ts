import * as vscode from 'vscode';

/**
 * Read-only documents whose text a command computed (with progress and cancellation) and handed
 * over: VS Code shows what is held here. The text is kept while the document is open; a tab
 * restored after a reload says how to make it again rather than reading the cluster unasked.
 */
export class ReportDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changes = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changes.event;
  private readonly closeListener: vscode.Disposable;

  constructor(readonly scheme: string, private readonly whenMissing: string) {
    this.closeListener = vscode.workspace.onDidCloseTextDocument((document) => {
      if (document.uri.scheme === scheme) this.texts.delete(document.uri.toString());
    });
  }

  /** Holds the text of `uri` (an open document of it shows the new text) and opens it. */
  async show(uri: vscode.Uri, text: string, languageId: string): Promise<vscode.TextEditor> {
    this.texts.set(uri.toString(), text);
    this.changes.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    if (document.languageId !== languageId) await vscode.languages.setTextDocumentLanguage(document, languageId);
    return vscode.window.showTextDocument(document, { preview: false });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? this.whenMissing;
  }

  dispose(): void {
    this.closeListener.dispose();
    this.changes.dispose();
    this.texts.clear();
  }
}
