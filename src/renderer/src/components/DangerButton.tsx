import { Button, makeStyles, mergeClasses, shorthands, tokens, type ButtonProps } from '@fluentui/react-components';

const useStyles = makeStyles({
  danger: {
    color: tokens.colorPaletteRedForeground1,
    ...shorthands.borderColor(tokens.colorPaletteRedBorder2),
    ':hover': {
      color: tokens.colorNeutralForegroundOnBrand,
      backgroundColor: tokens.colorPaletteRedBackground3,
      ...shorthands.borderColor(tokens.colorPaletteRedBackground3),
    },
    ':hover:active': { color: tokens.colorNeutralForegroundOnBrand, backgroundColor: tokens.colorPaletteRedForeground1 },
  },
  solid: {
    color: tokens.colorNeutralForegroundOnBrand,
    backgroundColor: tokens.colorPaletteRedBackground3,
    ...shorthands.borderColor(tokens.colorPaletteRedBackground3),
    ':hover': {
      color: tokens.colorNeutralForegroundOnBrand,
      backgroundColor: tokens.colorPaletteRedForeground1,
      ...shorthands.borderColor(tokens.colorPaletteRedForeground1),
    },
    ':hover:active': { color: tokens.colorNeutralForegroundOnBrand, backgroundColor: tokens.colorPaletteRedForeground1 },
  },
});

/**
 * A button that takes something away (stops servers, removes a seat, an entry, a file): red, so
 * it looks as dangerous as it is; `solid` for the confirming button of its dialog.
 */
export function DangerButton({ solid, className, ...props }: ButtonProps & { solid?: boolean }) {
  const styles = useStyles();
  return <Button {...props} data-danger="true" className={mergeClasses(solid ? styles.solid : styles.danger, className)} />;
}
