/** Shown instead of a kit component whose props cannot work (a bad id or URL): the page still renders. */
export function KitError({ component, message }: { component: string; message: string }) {
  return (
    <span className="kiln-missing not-prose" data-kit-error={component} role="note">
      <span className="kiln-missing-label">
        <code>{`<${component}>`}</code> {message}
      </span>
    </span>
  )
}
