import { parseAst } from "rolldown/parseAst";

// Finds user-visible English written straight into JSX: text between tags, string literals rendered as
// children (`{busy ? "Saving…" : "Save"}`) and the string props a person reads or hears (aria-label,
// placeholder, title, alt, and our components' label-like props). Used by i18n.test.ts; no ESLint needed.

/** Props whose string value is shown or spoken. */
export const VISIBLE_PROPS = new Set([
  "aria-label",
  "ariaLabel",
  "aria-description",
  "aria-valuetext",
  "placeholder",
  "title",
  "alt",
  "label",
  "confirmLabel",
  "cancelLabel",
  "busyLabel",
  "confirmText",
  "busyText",
  "description",
  "hint",
  "message",
  "heading",
  "subtitle",
  "emptyText",
  "data-label", // shown as the column name when a table stacks on a phone
]);

/** Texts that read the same in every language: brand and product names, units, symbols. */
export const ALLOWED = new Set([
  "WISPGate",
  "Wi-Fi",
  "IPTV",
  "VoIP",
  "GB",
  "Mbps",
  "MB",
  "PDF",
  "CSV",
  "SSID",
  "WPA2",
  "WPA3",
  "WPA2/WPA3",
  "2.4 GHz",
  "5 GHz",
  "Visa",
  "Mastercard",
  "GraphQL",
  "OK",
  "MAC",
  "dBm",
  "WG-XXXX-XX", // the gift card code format
]);

export interface Finding {
  line: number;
  text: string;
}

const LETTERS = /\p{L}{2,}/u;

function visible(text: string): boolean {
  let rest = text.replace(/\s+/g, " ");
  for (const allowed of ALLOWED) rest = rest.split(allowed).join(" ");
  return LETTERS.test(rest);
}

type AstNode = { type: string; start: number; end: number; [key: string]: unknown };

function isNode(value: unknown): value is AstNode {
  return typeof value === "object" && value !== null && typeof (value as AstNode).type === "string";
}

function children(node: AstNode): AstNode[] {
  const out: AstNode[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === "start" || key === "end" || key === "type") continue;
    if (Array.isArray(value)) for (const v of value) if (isNode(v)) out.push(v);
    if (isNode(value)) out.push(value);
  }
  return out;
}

/** String literals an expression renders as text: the expression itself, a ternary's branches, `a && "x"`. */
function renderedStrings(expr: AstNode | null | undefined, out: AstNode[]): void {
  if (!expr) return;
  if (expr.type === "Literal" && typeof expr.value === "string") out.push(expr);
  else if (expr.type === "TemplateLiteral") out.push(expr);
  else if (expr.type === "ConditionalExpression") {
    renderedStrings(expr.consequent as AstNode, out);
    renderedStrings(expr.alternate as AstNode, out);
  } else if (expr.type === "LogicalExpression") renderedStrings(expr.right as AstNode, out);
}

function literalText(node: AstNode): string {
  if (node.type === "TemplateLiteral") {
    return (node.quasis as { value: { cooked: string } }[]).map((q) => q.value.cooked).join(" ");
  }
  return String(node.value);
}

/** Hard-coded user-visible strings of one .tsx source. */
export function scanSource(source: string, filename = "file.tsx"): Finding[] {
  const ast = parseAst(source, { lang: "tsx" }, filename) as unknown as AstNode;
  const lineOf = (offset: number) => source.slice(0, offset).split("\n").length;
  const findings: Finding[] = [];
  const report = (node: AstNode, text: string) => {
    if (visible(text)) findings.push({ line: lineOf(node.start), text: text.replace(/\s+/g, " ").trim() });
  };
  const walk = (node: AstNode) => {
    if (node.type === "JSXText") report(node, String(node.value));
    if ((node.type === "JSXElement" || node.type === "JSXFragment") && Array.isArray(node.children)) {
      for (const child of node.children as AstNode[]) {
        if (child.type === "JSXExpressionContainer") {
          const strings: AstNode[] = [];
          renderedStrings(child.expression as AstNode, strings);
          for (const s of strings) report(s, literalText(s));
        }
      }
    }
    if (node.type === "JSXAttribute") {
      const name = node.name as AstNode & { name: string };
      if (VISIBLE_PROPS.has(String(name.name))) {
        const value = node.value as AstNode | null;
        const strings: AstNode[] = [];
        if (value?.type === "Literal") strings.push(value);
        else if (value?.type === "JSXExpressionContainer") renderedStrings(value.expression as AstNode, strings);
        for (const s of strings) report(s, literalText(s));
      }
    }
    for (const child of children(node)) walk(child);
  };
  walk(ast);
  return findings;
}
