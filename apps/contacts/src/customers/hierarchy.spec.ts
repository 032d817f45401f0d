import { ValidationError } from '@flow-crm/http';
import { assertNoCycle, buildTree } from './hierarchy';

interface Node {
  id: string;
  parentId: string | null;
  name?: string;
}

const node = (id: string, parentId: string | null, name = id.toUpperCase()): Node => ({ id, parentId, name });

/** The tree as nested [id, children] pairs, for readable expectations. */
type Shape = [string, Shape[]];
const shape = (nodes: { id: string; children: unknown[] }[]): Shape[] =>
  nodes.map((n) => [n.id, shape(n.children as { id: string; children: unknown[] }[])]);

function caught(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('assertNoCycle', () => {
  // root ─┬─ a ── a1 ── a2
  //       └─ b
  // The ancestry of a customer as the service reads it: the customer itself, then upwards.
  const ancestry: Record<string, string[]> = {
    root: ['root'],
    a: ['a', 'root'],
    a1: ['a1', 'a', 'root'],
    a2: ['a2', 'a1', 'a', 'root'],
    b: ['b', 'root'],
  };

  it('refuses a customer as its own parent, as a 422 on parentId', () => {
    const error = caught(() => assertNoCycle('a', 'a', ancestry.a!));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      status: 422,
      fieldErrors: [{ field: 'parentId', message: expect.any(String) }],
      details: [{ field: 'parentId', message: expect.any(String) }],
    });
  });

  it('refuses a customer as its own parent even when the ancestry is not given', () => {
    expect(() => assertNoCycle('a', 'a', [])).toThrow(ValidationError);
  });

  it.each([
    ['its child', 'a', 'a1'],
    ['its grandchild', 'a', 'a2'],
    ['a descendant several levels down', 'root', 'a2'],
  ])('refuses %s as the parent', (_case, customerId, parentId) => {
    const error = caught(() => assertNoCycle(customerId, parentId, ancestry[parentId]!));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).status).toBe(422);
    expect((error as ValidationError).fieldErrors.map((e) => e.field)).toEqual(['parentId']);
  });

  it.each([
    ['a sibling', 'a', 'b'],
    ["a sibling's child", 'b', 'a1'],
    ['its own parent again', 'a1', 'a'],
    ['its grandparent (moving up)', 'a2', 'a'],
    ['the root', 'a1', 'root'],
  ])('accepts %s as the parent', (_case, customerId, parentId) => {
    expect(() => assertNoCycle(customerId, parentId, ancestry[parentId]!)).not.toThrow();
  });

  it('accepts an unrelated customer as the parent', () => {
    expect(() => assertNoCycle('a', 'elsewhere', ['elsewhere', 'other-root'])).not.toThrow();
    expect(() => assertNoCycle('a', 'lonely', ['lonely'])).not.toThrow();
  });
});

describe('buildTree', () => {
  it('has no children without descendants', () => {
    expect(buildTree('root', [])).toEqual([]);
  });

  it('nests each level under its parent, keeping the nodes as given', () => {
    const tree = buildTree('root', [
      node('a', 'root'),
      node('b', 'root'),
      node('a1', 'a'),
      node('a1x', 'a1'),
      node('b1', 'b'),
      node('b2', 'b'),
    ]);
    expect(tree).toEqual([
      {
        id: 'a',
        parentId: 'root',
        name: 'A',
        children: [
          {
            id: 'a1',
            parentId: 'a',
            name: 'A1',
            children: [{ id: 'a1x', parentId: 'a1', name: 'A1X', children: [] }],
          },
        ],
      },
      {
        id: 'b',
        parentId: 'root',
        name: 'B',
        children: [
          { id: 'b1', parentId: 'b', name: 'B1', children: [] },
          { id: 'b2', parentId: 'b', name: 'B2', children: [] },
        ],
      },
    ]);
  });

  it('keeps the given order on every level', () => {
    const tree = buildTree('root', [
      node('c', 'root'),
      node('c2', 'c'),
      node('a', 'root'),
      node('c1', 'c'),
      node('b', 'root'),
      node('c3', 'c'),
    ]);
    expect(shape(tree)).toEqual([
      [
        'c',
        [
          ['c2', []],
          ['c1', []],
          ['c3', []],
        ],
      ],
      ['a', []],
      ['b', []],
    ]);
  });

  it('places children listed before their parents', () => {
    const tree = buildTree('root', [node('a2', 'a1'), node('a1', 'a'), node('a', 'root')]);
    expect(shape(tree)).toEqual([['a', [['a1', [['a2', []]]]]]]);
  });

  it('builds deep trees', () => {
    const chain = Array.from({ length: 60 }, (_, i) => node(`n${i}`, i === 0 ? 'root' : `n${i - 1}`));
    let level = buildTree('root', chain);
    for (let i = 0; i < 60; i++) {
      expect(level.map((n) => n.id)).toEqual([`n${i}`]);
      level = level[0]!.children;
    }
    expect(level).toEqual([]);
  });

  it('drops nodes whose parent is not among them, and what hangs below them', () => {
    const tree = buildTree('root', [
      node('a', 'root'),
      node('stray', 'elsewhere'),
      node('stray-child', 'stray'),
      node('top', null),
    ]);
    expect(shape(tree)).toEqual([['a', []]]);
  });

  it('does not list the root itself', () => {
    expect(shape(buildTree('root', [node('root', null), node('a', 'root')]))).toEqual([['a', []]]);
  });

  it('stops at self-cycles and cycles in bad data instead of looping', () => {
    const tree = buildTree('root', [
      node('a', 'root'),
      node('self', 'self'),
      node('x', 'y'),
      node('y', 'x'),
      // The same customers again, pointing back up the tree.
      node('a', 'a'),
      node('root', 'a'),
      { id: 'a', parentId: 'a1' },
      node('a1', 'a'),
    ]);
    expect(shape(tree)).toEqual([['a', [['a1', []]]]]);
  });

  it('leaves the given nodes untouched', () => {
    const given = [node('a', 'root'), node('a1', 'a')];
    const copy = structuredClone(given);
    buildTree('root', given);
    expect(given).toEqual(copy);
  });
});
