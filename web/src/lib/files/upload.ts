/**
 * One upload: `POST /api/discussions/:id/files` with the file in the field `file`, through
 * XMLHttpRequest because fetch reports no upload progress. Answers the server's `{ id, name,
 * type, size }`, or throws ApiError (NETWORK when no answer came: offline, server down).
 */
import type { FileRef } from '@palabre/shared/discussion/file-ref';
import { isApiErrorBody } from '@palabre/shared/errors';
import { ApiError, NETWORK } from '$lib/api.js';

export interface UploadHandle {
  done: Promise<FileRef>;
  abort(): void;
}

export function uploadFile(
  discussionId: string,
  file: Blob,
  name: string,
  onprogress: (fraction: number) => void,
): UploadHandle {
  const xhr = new XMLHttpRequest();
  const done = new Promise<FileRef>((resolve, reject) => {
    xhr.open('POST', `/api/discussions/${encodeURIComponent(discussionId)}/files`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onprogress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: unknown = undefined;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // Not JSON: judged by the status below.
      }
      if (xhr.status === 201) return resolve(body as FileRef);
      reject(
        isApiErrorBody(body)
          ? new ApiError(xhr.status, body.error.code, body.error.message)
          : new ApiError(xhr.status, NETWORK, xhr.statusText || 'Upload failed'),
      );
    };
    xhr.onerror = xhr.ontimeout = () => reject(new ApiError(0, NETWORK, 'Network error'));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    const form = new FormData();
    form.append('file', file, name);
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}
