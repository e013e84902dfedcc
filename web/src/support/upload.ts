import { stringifyDocument, type TypedDocumentNode } from "@urql/core";
import { t } from "../i18n";
import { GRAPHQL_PATH, refreshSession } from "../api/client";
import { CSRF_HEADER, csrfToken } from "../api/csrf";

// A mutation with files, as a GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec):
// `operations` (the query, with null where each file goes), `map` (file → variable path), then the files.
// XMLHttpRequest rather than fetch, because only it reports upload progress. The CSRF header goes along as on
// every cookie-authenticated request.

export interface UploadResult<TData> {
  data?: TData | null;
  errors?: { message: string; extensions?: { code?: string } }[];
  status: number;
}

/** `files` go to `variables.input.attachments`; `onProgress` gets 0..1 as the body is sent. */
export function uploadMutation<TData, TVars extends { input: Record<string, unknown> }>(
  document: TypedDocumentNode<TData, TVars>,
  variables: TVars,
  files: File[],
  onProgress: (fraction: number) => void,
): Promise<UploadResult<TData>> {
  const operations = {
    query: stringifyDocument(document),
    variables: { ...variables, input: { ...variables.input, attachments: files.map(() => null) } },
  };
  const map: Record<string, string[]> = {};
  files.forEach((_, i) => {
    map[String(i)] = [`variables.input.attachments.${i}`];
  });
  // Without files it is plain JSON: the portal takes multipart only where a file comes with it.
  let body: FormData | string;
  if (files.length === 0) {
    body = JSON.stringify(operations);
  } else {
    body = new FormData();
    body.append("operations", JSON.stringify(operations));
    body.append("map", JSON.stringify(map));
    files.forEach((file, i) => (body as FormData).append(String(i), file, file.name));
  }

  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", GRAPHQL_PATH);
    xhr.withCredentials = true;
    const token = csrfToken();
    if (token) xhr.setRequestHeader(CSRF_HEADER, token);
    xhr.setRequestHeader("Accept", "application/graphql-response+json, application/json");
    if (typeof body === "string") xhr.setRequestHeader("Content-Type", "application/json");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      onProgress(1);
      try {
        const parsed = JSON.parse(xhr.responseText) as Omit<UploadResult<TData>, "status">;
        resolve({ ...parsed, status: xhr.status });
      } catch {
        resolve({ status: xhr.status, errors: [{ message: t("files.serverAnswered", { status: xhr.status }) }] });
      }
    };
    xhr.onerror = () =>
      resolve({ status: 0, errors: [{ message: t("files.notReached") }] });
    xhr.send(body);
  });
}

export const ACCEPTED_FILES = "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,.txt,.log";
export const MAX_FILE_MB = 5;
export const MAX_FILES = 5;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** As `uploadMutation`, refreshing an expired session once (as urql's requests do through `portalFetch`). */
export async function uploadWithRefresh<TData, TVars extends { input: Record<string, unknown> }>(
  document: TypedDocumentNode<TData, TVars>,
  variables: TVars,
  files: File[],
  onProgress: (fraction: number) => void,
): Promise<UploadResult<TData>> {
  const first = await uploadMutation(document, variables, files, onProgress);
  const expired = first.errors?.some((e) => e.extensions?.code === "UNAUTHENTICATED");
  if (!expired) return first;
  if ((await refreshSession()) !== "ok") return first;
  onProgress(0);
  return uploadMutation(document, variables, files, onProgress);
}
