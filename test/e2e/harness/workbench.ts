import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';

/**
 * Drives the VS Code web workbench in Debian's Chromium the way a person would: activity bar,
 * command palette, tree rows, notifications, quick picks and input boxes. Selectors are VS
 * Code's own DOM classes and ARIA labels (VS Code 1.99).
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(__dirname, '..', '..', '..', 'test-output', 'e2e');
const UI_TIMEOUT_MS = 30_000;

export interface TreeRow {
  label: string;
  description: string;
  /** Nesting level in the tree, 1 for roots. */
  level: number;
}

export class Workbench {
  private constructor(readonly browser: Browser, readonly page: Page) {}

  static async open(serverUrl: string, folder: string, theme: 'dark' | 'light' = 'dark'): Promise<Workbench> {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme: theme });
      page.setDefaultTimeout(UI_TIMEOUT_MS);
      await page.goto(`${serverUrl}/?folder=${encodeURIComponent(folder)}`, { timeout: 60_000 });
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      // The workbench is usable once the activity bar has rendered its view containers.
      await page.locator('.activitybar .action-item').first().waitFor({ timeout: 60_000 });
      return new Workbench(browser, page);
    } catch (error) {
      await browser.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
  }

  /** The activity bar entry is labelled with the view container's title. */
  activityBarItem(title: string): Locator {
    return this.page.locator(`.activitybar .action-item a[aria-label^="${title}"]`).first();
  }

  async openViewContainer(title: string): Promise<void> {
    const item = this.activityBarItem(title);
    await item.waitFor();
    const selected = await item.evaluate((element) => element.closest('.action-item')?.classList.contains('checked') ?? false);
    if (!selected) await item.click();
    await this.page.locator(`.sidebar .composite.title h2[title], .sidebar .title-label h2`).filter({ hasText: new RegExp(title, 'i') }).first().waitFor();
  }

  /** The pane (view) in the side bar whose header is `viewName`. */
  pane(viewName: string): Locator {
    return this.page.locator('.sidebar .pane').filter({ has: this.page.locator(`.pane-header[aria-label^="${viewName}"]`) }).first();
  }

  async welcomeText(viewName: string): Promise<string> {
    const welcome = this.pane(viewName).locator('.welcome-view-content');
    await welcome.first().waitFor();
    return (await welcome.first().innerText()).trim();
  }

  async welcomeButtons(viewName: string): Promise<string[]> {
    return (await this.pane(viewName).locator('.welcome-view-content .monaco-button').allInnerTexts()).map((text) => text.trim());
  }

  async treeRows(viewName: string): Promise<TreeRow[]> {
    // One read of the DOM for all rows: a per-row locator on a row without a description (a
    // message row) would wait out Playwright's timeout before giving up.
    return this.pane(viewName).locator('.monaco-list-row').evaluateAll((rows) => rows.map((row) => ({
      label: (row.querySelector('.label-name')?.textContent ?? '').trim(),
      description: (row.querySelector('.label-description')?.textContent ?? '').trim(),
      level: Number(row.getAttribute('aria-level')) || 1,
    })));
  }

  /** The tree row whose label is `label`. */
  treeRow(viewName: string, label: string): Locator {
    return this.pane(viewName).locator('.monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) }).first();
  }

  /** Expands a collapsed tree row (a no-op when it is expanded already). */
  /**
   * Expands a tree row and waits until the tree says it is expanded. A click can be lost when the
   * row is redrawn under the pointer (the extension refreshes a node as its status changes), so a
   * row still collapsed a moment later is clicked again.
   */
  async expandTreeRow(viewName: string, label: string): Promise<void> {
    const row = this.treeRow(viewName, label);
    await row.waitFor({ timeout: UI_TIMEOUT_MS });
    const deadline = Date.now() + UI_TIMEOUT_MS;
    while ((await row.getAttribute('aria-expanded', { timeout: UI_TIMEOUT_MS })) === 'false') {
      if (Date.now() > deadline) throw new Error(`the tree row ${label} in ${viewName} did not expand`);
      await row.locator('.monaco-tl-twistie').click({ timeout: UI_TIMEOUT_MS });
      await this.page.waitForTimeout(300);
    }
  }

  /** The titles of a tree row's context menu (right click), which is closed again. */
  async contextMenuItems(viewName: string, label: string): Promise<string[]> {
    await this.treeRow(viewName, label).click({ button: 'right' });
    const menu = this.page.locator('.context-view .monaco-menu');
    await menu.waitFor({ timeout: UI_TIMEOUT_MS });
    const items = (await menu.locator('.action-label').allInnerTexts()).map((text) => text.trim()).filter(Boolean);
    await this.page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
    return items;
  }

  /** Clicks a context-menu entry of a tree row. */
  async runContextMenuItem(viewName: string, label: string, item: string): Promise<void> {
    await this.treeRow(viewName, label).click({ button: 'right' });
    const menu = this.page.locator('.context-view .monaco-menu');
    await menu.waitFor({ timeout: UI_TIMEOUT_MS });
    // VS Code's menus act on keyboard or mouse-up after their own focus handling; a synthetic
    // click can land before the menu is ready. Hover to select the entry, then press Enter.
    await menu.locator('.action-item').filter({ hasText: item }).first().hover();
    await this.page.keyboard.press('Enter');
    await menu.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  }

  /** Waits until the tree shows a row whose label matches, and returns all rows. */
  async waitForTreeRow(viewName: string, label: string | RegExp, timeoutMs = UI_TIMEOUT_MS): Promise<TreeRow[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await this.treeRows(viewName);
      if (rows.some((row) => (typeof label === 'string' ? row.label === label : label.test(row.label)))) return rows;
      if (Date.now() > deadline) throw new Error(`no tree row ${label} in ${viewName} after ${timeoutMs} ms; rows: ${JSON.stringify(rows)}`);
      await this.page.waitForTimeout(250);
    }
  }

  /** Runs a command from the palette by its full title, e.g. "vCluster: Check Installed Tools". */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor();
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: title }).first();
    await row.waitFor();
    await input.press('Enter');
  }

  /**
   * Opens the command palette even when a webview has the focus: keys pressed inside a webview's
   * frame reach the workbench only sometimes, so the focus goes back to the workbench's own
   * document first, and F1 is pressed until the palette shows.
   */
  async openPalette(): Promise<Locator> {
    const input = this.page.locator('.quick-input-widget input.input');
    for (let attempt = 0; attempt < 5; attempt++) {
      await this.page.evaluate('document.activeElement && document.activeElement.blur && document.activeElement.blur()');
      await this.page.keyboard.press('F1');
      if (await input.isVisible().catch(() => false)) return input;
      try {
        await input.waitFor({ state: 'visible', timeout: 2000 });
        return input;
      } catch {
        // Not open yet: focus again and retry.
      }
    }
    throw new Error('the command palette did not open after 5 presses of F1');
  }

  /** Whether the palette offers a command with this title (item-only commands must not show). */
  async paletteOffers(title: string): Promise<boolean> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor();
    await input.fill(`>${title}`);
    // Not a fixed sleep before a negative answer: wait until the palette has drawn its answer to
    // this filter (rows, or its "No matching commands" line) and the rows stay the same across two
    // reads, for at most 5 s; then read it.
    const rows = this.page.locator('.quick-input-widget .monaco-list-row .label-name');
    const noMatch = this.page.locator('.quick-input-widget .quick-input-message, .quick-input-widget .quick-input-list .monaco-list-rows:empty');
    const deadline = Date.now() + 5_000;
    let labels: string[] = [];
    let settled = false;
    while (!settled && Date.now() < deadline) {
      const first = (await input.inputValue()) === `>${title}` ? await rows.allInnerTexts() : undefined;
      await this.page.waitForTimeout(150);
      labels = await rows.allInnerTexts();
      const answered = labels.length > 0 || (await noMatch.count()) > 0;
      settled = answered && first !== undefined && first.join('\n') === labels.join('\n');
    }
    await this.page.keyboard.press('Escape');
    if (!settled) throw new Error(`the command palette did not settle on an answer for "${title}" within 5 s`);
    return labels.some((label) => label.replace(/\s+/g, ' ').trim() === title);
  }

  /**
   * Answers the quick pick that is showing by clicking the row labelled `label`. With `step`, first
   * waits for the quick input whose title matches it: the widget is one element reused by every
   * step, so without it an answer can land on the step before, still closing.
   */
  async answerQuickPick(label: string, step?: RegExp): Promise<void> {
    const widget = await this.quickInputAt(step);
    const row = widget.locator('.monaco-list-row').filter({ hasText: label }).first();
    try {
      await row.waitFor({ timeout: UI_TIMEOUT_MS });
    } catch {
      // What was showing instead, for a failure that can be read from the CI log alone.
      const title = await widget.locator('.quick-input-title').innerText({ timeout: 1000 }).catch(() => '');
      const rows = await widget.locator('.monaco-list-row').allInnerTexts().catch(() => []);
      throw new Error(`no row ${JSON.stringify(label)} in the quick input titled ${JSON.stringify(title)}; its rows: ${JSON.stringify(rows.map((text) => text.replace(/\s+/g, ' ').trim()))}`);
    }
    await row.click({ timeout: UI_TIMEOUT_MS });
  }

  /**
   * Types `text` into the input box that is showing and accepts it. With `step`, first waits for
   * the input box whose title matches it (see answerQuickPick). Fills until the value sticks: the
   * box can still be taking its default value when it appears.
   */
  async answerInputBox(text: string, step?: RegExp): Promise<void> {
    const widget = await this.quickInputAt(step);
    const input = widget.locator('input.input');
    await input.waitFor({ timeout: UI_TIMEOUT_MS });
    const deadline = Date.now() + UI_TIMEOUT_MS;
    for (;;) {
      await input.fill(text);
      if ((await input.inputValue()) === text) break;
      if (Date.now() > deadline) throw new Error(`the input box did not take ${JSON.stringify(text)}`);
      await this.page.waitForTimeout(200);
    }
    await input.press('Enter');
  }

  private async quickInputAt(step: RegExp | undefined) {
    const widget = this.page.locator('.quick-input-widget');
    await widget.waitFor({ timeout: UI_TIMEOUT_MS });
    if (step) {
      const title = widget.locator('.quick-input-title');
      const deadline = Date.now() + UI_TIMEOUT_MS;
      while (!step.test(await title.innerText({ timeout: 1000 }).catch(() => ''))) {
        if (Date.now() > deadline) throw new Error(`the quick input did not reach the step ${step}; its title is ${JSON.stringify(await title.innerText({ timeout: 1000 }).catch(() => ''))}`);
        await this.page.waitForTimeout(100);
      }
    }
    return widget;
  }

  /**
   * Answers an open/save dialog. In the web workbench that is VS Code's simple file dialog, a
   * quick input that takes a path; `okLabel` is the dialog's accept button (openLabel).
   */
  async answerFileDialog(path: string, okLabel: string): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    const input = widget.locator('input.input');
    await input.waitFor();
    // The dialog fills in its starting folder and re-reads folders as the value changes, both
    // asynchronously; it can overwrite or append to what was typed. Type until the value sticks.
    const name = path.split('/').pop() ?? path;
    const row = widget.locator('.monaco-list-row').filter({ hasText: name }).first();
    const deadline = Date.now() + UI_TIMEOUT_MS;
    for (;;) {
      await input.fill(path);
      await this.page.waitForTimeout(400);
      if ((await input.inputValue()) === path && (await row.isVisible())) break;
      if (Date.now() > deadline) throw new Error(`the file dialog did not take the path ${path}; it shows ${await input.inputValue()}`);
    }
    await widget.locator('.monaco-button').filter({ hasText: okLabel }).first().click();
    await widget.waitFor({ state: 'hidden' });
  }

  /**
   * Answers a modal dialog (showWarningMessage with modal: true) by clicking `button`; returns
   * the dialog's message and detail text as shown.
   */
  async confirmDialog(button: string): Promise<string> {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: UI_TIMEOUT_MS });
    const text = (await dialog.innerText()).replace(/\s+/g, ' ');
    await dialog.locator('.monaco-button').filter({ hasText: button }).first().click();
    await dialog.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
    return text;
  }

  /**
   * Switches the colour theme as a user does: the palette's exact "Preferences: Color Theme" entry
   * (Enter would take the top-ranked match, which can be the marketplace browser), then the theme.
   */
  async chooseColorTheme(label: string): Promise<void> {
    const input = await this.openPalette();
    await input.fill('>Preferences: Color Theme');
    await this.page.locator('.quick-input-widget .monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: /^\s*Preferences: Color Theme\s*$/ }) }).first().click();
    await this.page.locator('.quick-input-widget input.input[placeholder*="Color Theme"]').waitFor({ timeout: UI_TIMEOUT_MS });
    await input.fill(label);
    await this.page.locator('.quick-input-widget .monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${label}\\s*$`) }) }).first().click();
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  }

  /** The title of the active editor tab. */
  async activeTabTitle(): Promise<string> {
    const tab = this.page.locator('.tabs-container .tab.active .label-name').first();
    await tab.waitFor({ timeout: UI_TIMEOUT_MS });
    return (await tab.innerText()).trim();
  }

  /** The lines the active editor (the right side of a diff) renders now: its visible text. */
  async activeEditorText(): Promise<string> {
    const lines = this.page.locator('.editor-group-container.active .monaco-editor .view-lines').last();
    await lines.waitFor({ timeout: UI_TIMEOUT_MS });
    return (await lines.innerText()).replace(/\u00a0/g, ' ');
  }

  /** Texts of the notification toasts currently shown. */
  async notifications(): Promise<string[]> {
    return (await this.page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts()).map((text) => text.trim());
  }

  async waitForNotification(pattern: RegExp, timeoutMs = UI_TIMEOUT_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = (await this.notifications()).find((text) => pattern.test(text));
      if (match) return match;
      if (Date.now() > deadline) throw new Error(`no notification matching ${pattern} after ${timeoutMs} ms; shown: ${JSON.stringify(await this.notifications())}`);
      await this.page.waitForTimeout(250);
    }
  }

  /**
   * The content of the visible webview panel. VS Code nests it twice: an outer iframe (class
   * `webview`, marked `ready` once loaded) holds the page in `#active-frame`. Hidden webviews
   * are not in the DOM (their page is discarded), so the visible one is the last ready frame.
   */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready >> visible=true').last().frameLocator('#active-frame');
  }

  /** Activates the editor tab whose title starts with `title`. */
  async activateTab(title: string): Promise<void> {
    await this.page.locator('.tabs-container .tab').filter({ has: this.page.locator('.label-name', { hasText: title }) }).first().click();
  }

  /** Labels of the selected rows of a tree view. */
  async selectedTreeRows(viewName: string): Promise<string[]> {
    return this.pane(viewName).locator('.monaco-list-row.selected .label-name').evaluateAll((labels) => labels.map((label) => (label.textContent ?? '').trim()));
  }

  /** Saves a PNG under test-output/e2e and returns its path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const path = join(SCREENSHOT_DIR, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }
}
