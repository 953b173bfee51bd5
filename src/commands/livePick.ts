import * as vscode from 'vscode';

export interface LivePickOptions<T extends vscode.QuickPickItem> {
  title: string;
  placeHolder: string;
  /** The placeholder once discovery has ended with nothing to pick; placeHolder by default. */
  emptyPlaceHolder?: string;
  matchOnDescription?: boolean;
  matchOnDetail?: boolean;
  /** The items as things stand; asked again on every change. */
  items: () => T[];
  /** Whether more may come (discovery under way): the pick shows its busy bar meanwhile. */
  busy: () => boolean;
  onDidChange: (listener: () => void) => { dispose(): void };
  /** What identifies an item across updates, to keep the one the user highlighted. */
  key: (item: T) => string;
}

/**
 * A quick pick shown at once that fills in as discovery answers, instead of one built from what
 * was known when it opened (right after start-up, or during a refresh, that can be nothing).
 * Updates keep what the user typed and the item they highlighted. Resolves with the item
 * accepted, or undefined when the pick is dismissed.
 */
export function showLivePick<T extends vscode.QuickPickItem>(options: LivePickOptions<T>): Promise<T | undefined> {
  const pick = vscode.window.createQuickPick<T>();
  pick.title = options.title;
  pick.matchOnDescription = options.matchOnDescription ?? false;
  pick.matchOnDetail = options.matchOnDetail ?? false;
  const update = () => {
    const highlighted = pick.activeItems[0] ? options.key(pick.activeItems[0]) : undefined;
    const items = options.items();
    pick.items = items;
    const busy = options.busy();
    pick.busy = busy;
    const selectable = items.some((item) => item.kind !== vscode.QuickPickItemKind.Separator);
    pick.placeholder = selectable || busy ? options.placeHolder : options.emptyPlaceHolder ?? options.placeHolder;
    const again = highlighted === undefined ? undefined : items.find((item) => item.kind !== vscode.QuickPickItemKind.Separator && options.key(item) === highlighted);
    if (again) pick.activeItems = [again];
  };
  const changes = options.onDidChange(update);
  update();
  return new Promise<T | undefined>((resolve) => {
    let settled = false;
    const finish = (item: T | undefined) => {
      if (settled) return;
      settled = true;
      changes.dispose();
      resolve(item);
      pick.dispose();
    };
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0] ?? pick.activeItems[0];
      if (item) finish(item);
    });
    pick.onDidHide(() => finish(undefined));
    pick.show();
  });
}
