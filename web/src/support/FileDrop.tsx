import { useId, useRef, useState, type DragEvent } from "react";
import { ACCEPTED_FILES, formatBytes, MAX_FILE_MB, MAX_FILES } from "./upload";
import { t } from "../i18n";

// Files for a ticket: drop them on the zone or pick them; each shows its size, a picture its preview. The server
// decides what is acceptable (by content); this only spares the subscriber an upload that will be refused.

const MAX_BYTES = MAX_FILE_MB * 1024 * 1024;

export function FileDrop({
  files,
  onChange,
  progress,
  disabled,
}: {
  files: File[];
  onChange: (files: File[]) => void;
  progress: number | null;
  disabled?: boolean;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const id = useId();

  function add(list: FileList | null) {
    if (!list) return;
    const picked = [...files];
    const skipped: string[] = [];
    for (const file of Array.from(list)) {
      if (file.size > MAX_BYTES) skipped.push(t("files.tooBig", { name: file.name, mb: MAX_FILE_MB }));
      else if (picked.length >= MAX_FILES) skipped.push(t("files.tooMany", { count: MAX_FILES }));
      else picked.push(file);
    }
    setNote(skipped.length ? t("files.notAdded", { list: skipped.join("; ") }) : null);
    onChange(picked);
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setOver(false);
    if (!disabled) add(e.dataTransfer.files);
  }

  return (
    <div className="filedrop">
      <div
        className={`filedrop__zone ${over ? "filedrop__zone--over" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        data-testid="file-drop"
      >
        <p>
          {t("files.drop")}{" "}
          <button type="button" className="linklike" onClick={() => input.current?.click()} disabled={disabled}>
            {t("files.choose")}
          </button>
          .
        </p>
        <p className="muted small">
          {t("files.rules", { mb: MAX_FILE_MB, count: MAX_FILES })}
        </p>
        <input
          ref={input}
          id={id}
          type="file"
          aria-label={t("files.attach")}
          multiple
          accept={ACCEPTED_FILES}
          className="sr-only"
          data-testid="file-input"
          onChange={(e) => {
            add(e.target.files);
            e.target.value = "";
          }}
        />
      </div>
      {note ? <p className="field__error small">{note}</p> : null}
      {files.length > 0 ? (
        <ul className="filedrop__list">
          {files.map((f, i) => (
            <li key={`${f.name}-${i}`} className="filedrop__file" data-testid="picked-file">
              <span className="filedrop__name">{f.name}</span>
              <span className="muted small">{formatBytes(f.size)}</span>
              <button
                type="button"
                className="btn btn--ghost btn--small"
                aria-label={t("files.removeLabel", { name: f.name })}
                disabled={disabled}
                onClick={() => onChange(files.filter((_, j) => j !== i))}
              >
                {t("team.remove")}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {progress !== null && files.length > 0 ? (
        <progress className="progress__bar" value={progress} max={1} aria-label={t("files.progress")} data-testid="upload-progress">
          {Math.round(progress * 100)}%
        </progress>
      ) : null}
    </div>
  );
}
