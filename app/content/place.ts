/** `blog/post.mdx:12:3`: a place in a file, the form editors and terminals link. Missing parts are left out. */
export function formatPlace(file: string | null | undefined, line?: number | null, column?: number | null): string {
  return [file, line, column].filter((part) => part !== undefined && part !== null && part !== '').join(':')
}
