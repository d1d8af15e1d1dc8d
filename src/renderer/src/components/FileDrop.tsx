import { Button, Text } from '@fluentui/react-components';
import { useRef, useState, type DragEvent } from 'react';

/** A file picker that also accepts a dropped file; hands over the file's name and text. */
export function FileDrop(props: { label: string; accept: string; testId: string; onFile: (name: string, text: string) => void }) {
  const { label, accept, testId, onFile } = props;
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  const read = async (file: File | undefined) => {
    if (file) onFile(file.name, await file.text());
  };
  const drop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void read(e.dataTransfer.files[0]);
  };

  return (
    <div
      className={over ? 'drop-zone over' : 'drop-zone'}
      data-testid={`${testId}-drop`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
    >
      <Button onClick={() => input.current?.click()}>{label}</Button>
      <Text> or drop a file here</Text>
      <input
        ref={input}
        type="file"
        accept={accept}
        hidden
        data-testid={`${testId}-input`}
        aria-label={label}
        onChange={(e) => {
          void read(e.target.files?.[0]);
          e.target.value = '';
        }}
      />
    </div>
  );
}
