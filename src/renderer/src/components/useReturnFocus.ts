import { useEffect, useRef } from 'react';

/**
 * A dialog opened by state (not by a DialogTrigger) gives focus back to what had it when it
 * opened, so a keyboard user goes on from the button that opened it. The opener is read while
 * rendering the open dialog: by the time effects run, the dialog has taken the focus.
 */
export function useReturnFocus(open: boolean): void {
  const opener = useRef<HTMLElement | null>(null);
  const wasOpen = useRef(false);
  if (open && !wasOpen.current) opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  wasOpen.current = open;
  useEffect(() => {
    if (open) return;
    const back = opener.current;
    opener.current = null;
    // after the dialog's own focus handling has run
    if (back?.isConnected) setTimeout(() => back.focus(), 0);
  }, [open]);
}
