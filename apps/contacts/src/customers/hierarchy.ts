import { ValidationError } from '@flow-crm/http';

/** A customer in a hierarchy tree: its summary and its children, each a tree of its own. */
export type TreeNode<T extends { id: string; parentId: string | null }> = T & { children: TreeNode<T>[] };

/**
 * Refuses a parent that would make a cycle: the customer itself, or any customer below it (which
 * is exactly when the customer appears among the proposed parent's ancestors).
 */
export function assertNoCycle(customerId: string, parentId: string, parentAncestry: readonly string[]): void {
  if (parentId === customerId || parentAncestry.includes(customerId))
    throw ValidationError.of('parentId', 'parentId would make the customer its own ancestor');
}

/** Builds the tree under `rootId` from its descendants, each level in the given order. */
export function buildTree<T extends { id: string; parentId: string | null }>(
  rootId: string,
  descendants: readonly T[],
): TreeNode<T>[] {
  const byParent = new Map<string, T[]>();
  for (const node of descendants) {
    if (!node.parentId) continue;
    byParent.set(node.parentId, [...(byParent.get(node.parentId) ?? []), node]);
  }
  const grow = (parentId: string, seen: Set<string>): TreeNode<T>[] =>
    (byParent.get(parentId) ?? [])
      .filter((node) => !seen.has(node.id))
      .map((node) => ({ ...node, children: grow(node.id, new Set(seen).add(node.id)) }));
  return grow(rootId, new Set([rootId]));
}
