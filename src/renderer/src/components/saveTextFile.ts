/** Offers text as a file download; works in Electron and in a browser alike. */
export function saveTextFile(fileName: string, text: string, type = 'text/plain'): void {
  saveBlob(fileName, new Blob([text], { type: `${type};charset=utf-8` }));
}

/** Offers bytes sent as base64 (a zip from the server) as a file download. */
export function saveBase64File(fileName: string, base64: string, type: string): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  saveBlob(fileName, new Blob([bytes], { type }));
}

/** Where a download lands, in the words the screens use to say so. */
export const DOWNLOADS = "your browser's downloads folder (or where its Save dialog put it)";

function saveBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
