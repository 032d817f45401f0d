import { type FieldError, toFieldErrors } from '@flow-crm/http';
import { type ClassConstructor, plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { AddTagDto, CreateTagDto, UpdateTagDto } from './tag.dto';

/** The body as the validation pipe leaves it: transformed, then validated with unknown fields stripped. */
async function check<T extends object>(type: ClassConstructor<T>, plain: object) {
  const value = plainToInstance(type, plain);
  const errors: FieldError[] = toFieldErrors(await validate(value, { whitelist: true }));
  return { value, errors, fields: [...new Set(errors.map((e) => e.field))].sort() };
}

describe('CreateTagDto', () => {
  it('takes a name alone (the colour may be left out)', async () => {
    const { value, errors } = await check(CreateTagDto, { name: 'vip' });
    expect(errors).toEqual([]);
    expect(value.color).toBeUndefined();
  });

  it('trims the name', async () => {
    expect((await check(CreateTagDto, { name: '  vip  ' })).value.name).toBe('vip');
  });

  it.each([
    ['missing', {}],
    ['null', { name: null }],
    ['empty', { name: '' }],
    ['blank', { name: '   ' }],
    ['not text', { name: 42 }],
    ['longer than 50 characters', { name: 'x'.repeat(51) }],
  ])('refuses a name that is %s', async (_case, plain) => {
    expect((await check(CreateTagDto, plain)).fields).toEqual(['name']);
  });

  it('takes a name of 50 characters', async () => {
    expect((await check(CreateTagDto, { name: 'x'.repeat(50) })).errors).toEqual([]);
  });

  it.each([
    ['#ffaa00', '#ffaa00'],
    ['#FFAA00', '#ffaa00'],
    ['#0a0B0c', '#0a0b0c'],
    [' #ABCDEF ', '#abcdef'],
  ])('takes the colour %p as %p', async (color, stored) => {
    const { value, errors } = await check(CreateTagDto, { name: 'vip', color });
    expect(errors).toEqual([]);
    expect(value.color).toBe(stored);
  });

  it.each([
    'red',
    '#fff',
    '#FFF',
    'ffaa00',
    '#ffaa0',
    '#ffaa000',
    '#ffaa0g',
    'rgb(255,170,0)',
    '',
    '#ff aa00',
  ])('refuses the colour %p', async (color) => {
    expect((await check(CreateTagDto, { name: 'vip', color })).errors).toEqual([
      { field: 'color', message: 'color must be a #rrggbb colour' },
    ]);
  });

  it('refuses a colour that is null or not text', async () => {
    expect((await check(CreateTagDto, { name: 'vip', color: null })).fields).toEqual(['color']);
    expect((await check(CreateTagDto, { name: 'vip', color: 0xffaa00 })).fields).toEqual(['color']);
  });
});

describe('UpdateTagDto', () => {
  it('takes an empty change', async () => {
    expect((await check(UpdateTagDto, {})).errors).toEqual([]);
  });

  it('takes a new name, trimmed, or a new colour, lower-cased', async () => {
    const { value, errors } = await check(UpdateTagDto, { name: ' key account ', color: '#00FF7F' });
    expect(errors).toEqual([]);
    expect(value).toMatchObject({ name: 'key account', color: '#00ff7f' });
  });

  it('refuses to clear the name or the colour', async () => {
    expect((await check(UpdateTagDto, { name: null, color: null })).fields).toEqual(['color', 'name']);
  });

  it('refuses a blank name and a short colour', async () => {
    expect((await check(UpdateTagDto, { name: '  ', color: '#abc' })).fields).toEqual(['color', 'name']);
  });
});

describe('AddTagDto', () => {
  it('takes a tag, trimmed', async () => {
    const { value, errors } = await check(AddTagDto, { tag: ' vip ' });
    expect(errors).toEqual([]);
    expect(value.tag).toBe('vip');
  });

  it.each([{}, { tag: null }, { tag: ' ' }, { tag: 't'.repeat(51) }, { tag: ['vip'] }])(
    'refuses %p',
    async (plain) => {
      expect((await check(AddTagDto, plain)).fields).toEqual(['tag']);
    },
  );
});
