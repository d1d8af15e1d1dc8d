// happy-dom's Web Animations reject when Fluent cancels a dialog's motion; without `animate`
// Fluent's motion falls back to its no-op test path (see @fluentui/react-motion useAnimateAtoms).
delete (Element.prototype as { animate?: unknown }).animate;
