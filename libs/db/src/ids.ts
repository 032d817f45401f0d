import { v7 } from 'uuid';

/** A time-ordered UUID (v7): ids sort by creation, which keeps B-tree inserts local. */
export function newId(): string {
  return v7();
}
