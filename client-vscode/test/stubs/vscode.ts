// A stand-in for the `vscode` module in unit tests (esbuild aliases `vscode` to this file).
// It carries only what the tested modules touch, with the same shapes as the real API, plus
// a few handles (`stub`) that let a test play the editor: set the active editor, fire events.

type Listener<T> = (e: T) => unknown;

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (listener: Listener<T>): Disposable => {
    this.listeners.push(listener);
    return new Disposable(() => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    });
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Disposable {
  constructor(private readonly fn: () => void) {}
  dispose(): void {
    this.fn();
  }
}

export enum TreeItemCollapsibleState { None = 0, Collapsed = 1, Expanded = 2 }
export enum StatusBarAlignment { Left = 1, Right = 2 }

export class ThemeIcon {
  constructor(readonly id: string, readonly color?: ThemeColor) {}
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: string;
  contextValue?: string;
  iconPath?: ThemeIcon;
  command?: { command: string; title: string; arguments?: unknown[] };
  constructor(readonly label: string, readonly collapsibleState: TreeItemCollapsibleState) {}
}

export class Position {
  constructor(readonly line: number, readonly character: number) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(sl: number, sc: number, el: number, ec: number) {
    this.start = new Position(sl, sc);
    this.end = new Position(el, ec);
  }
}

export class Selection extends Range {
  get isEmpty(): boolean {
    return this.start.line === this.end.line && this.start.character === this.end.character;
  }
}

export class Uri {
  private constructor(readonly scheme: string, readonly path: string) {}
  static parse(value: string): Uri {
    const i = value.indexOf(':');
    return new Uri(value.slice(0, i), value.slice(i + 1).replace(/^\/\//, ''));
  }
  static file(path: string): Uri {
    return new Uri('file', path);
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

export interface StubStatusBarItem {
  id: string;
  text: string;
  tooltip?: string;
  name?: string;
  command?: string;
  backgroundColor?: ThemeColor;
  visible: boolean;
  show(): void;
  hide(): void;
  dispose(): void;
}

/** A text document over a string: offsets count UTF-16 units, as VS Code's do. */
export class StubDocument {
  constructor(readonly uri: Uri, public text: string) {}
  offsetAt(p: Position): number {
    const lines = this.text.split('\n');
    let offset = 0;
    for (let i = 0; i < p.line; i++) offset += lines[i].length + 1;
    return offset + p.character;
  }
}

export interface StubEditor {
  document: StubDocument;
  selection: Selection;
}

const activeEditorChanged = new EventEmitter<StubEditor | undefined>();
const selectionChanged = new EventEmitter<{ textEditor: StubEditor }>();
const documentChanged = new EventEmitter<{ document: StubDocument; contentChanges: unknown[] }>();

export const stub = {
  statusBarItems: [] as StubStatusBarItem[],
  activeEditorChanged,
  selectionChanged,
  documentChanged,
  reset(): void {
    stub.statusBarItems.length = 0;
    window.activeTextEditor = undefined;
  },
};

export const window = {
  activeTextEditor: undefined as StubEditor | undefined,
  createStatusBarItem(id: string): StubStatusBarItem {
    const item: StubStatusBarItem = {
      id,
      text: '',
      visible: false,
      show() { item.visible = true; },
      hide() { item.visible = false; },
      dispose() { item.visible = false; },
    };
    stub.statusBarItems.push(item);
    return item;
  },
  onDidChangeActiveTextEditor: activeEditorChanged.event,
  onDidChangeTextEditorSelection: selectionChanged.event,
};

export const workspace = {
  onDidChangeTextDocument: documentChanged.event,
  asRelativePath(uri: Uri): string {
    return uri.path.replace(/^\/w\//, '');
  },
};
