import {
  Column,
  DataSource,
  Entity,
  JoinColumn,
  JoinTable,
  ManyToMany,
  ManyToOne,
  PrimaryColumn,
  type EntityMetadata,
} from 'typeorm';
import { SnakeNamingStrategy } from './naming.strategy';

class Address {
  @Column('text')
  postalCode!: string;

  @Column('text', { name: 'town' })
  city!: string;
}

@Entity('teams')
class Team {
  @PrimaryColumn('uuid')
  id!: string;
}

@Entity('users')
class User {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  organizationId!: string;

  @Column('text')
  displayName!: string;

  @Column('timestamptz')
  lastLoginAt!: Date;

  @Column('text', { name: 'pw_hash' })
  passwordHash!: string;

  @Column('text')
  totp2faSecret!: string;

  @Column(() => Address)
  homeAddress!: Address;

  @ManyToOne(() => Team)
  @JoinColumn()
  primaryTeam!: Team;

  @ManyToMany(() => Team)
  @JoinTable()
  memberTeams!: Team[];
}

describe('SnakeNamingStrategy', () => {
  const strategy = new SnakeNamingStrategy();

  describe('columnName', () => {
    it.each([
      ['id', 'id'],
      ['organizationId', 'organization_id'],
      ['createdAt', 'created_at'],
      ['lastLoginAt', 'last_login_at'],
      ['totp2faSecret', 'totp2fa_secret'],
      ['already_snake', 'already_snake'],
    ])('names property %s column %s', (property, column) => {
      expect(strategy.columnName(property, undefined, [])).toBe(column);
    });

    it('keeps a column name the entity gives explicitly', () => {
      expect(strategy.columnName('passwordHash', 'pw_hash', [])).toBe('pw_hash');
    });

    it('prefixes the columns of an embedded object with its snake-cased property', () => {
      expect(strategy.columnName('postalCode', undefined, ['homeAddress'])).toBe('home_address_postal_code');
    });
  });

  it('snake-cases relation names, join columns and join table columns', () => {
    expect(strategy.relationName('primaryTeam')).toBe('primary_team');
    expect(strategy.joinColumnName('primaryTeam', 'id')).toBe('primary_team_id');
    expect(strategy.joinTableColumnName('users', 'id')).toBe('users_id');
    expect(strategy.joinTableColumnName('users', 'id', 'userId')).toBe('users_user_id');
  });

  describe('in the metadata TypeORM builds for an entity', () => {
    let users: EntityMetadata;

    beforeAll(async () => {
      // Never connected: building the metadata is enough to see every name the strategy gives.
      const dataSource = new DataSource({
        type: 'postgres',
        entities: [User, Team],
        namingStrategy: strategy,
      });
      await (dataSource as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
      users = dataSource.getMetadata(User);
    });

    const columnOf = (path: string) => users.columns.find((c) => c.propertyPath === path)?.databaseName;

    it('stores camelCase properties in snake_case columns', () => {
      expect(columnOf('organizationId')).toBe('organization_id');
      expect(columnOf('displayName')).toBe('display_name');
      expect(columnOf('lastLoginAt')).toBe('last_login_at');
      expect(columnOf('passwordHash')).toBe('pw_hash');
    });

    it('names embedded columns after the embedding property', () => {
      expect(columnOf('homeAddress.postalCode')).toBe('home_address_postal_code');
    });

    it('names a many-to-one join column <relation>_<referenced column>', () => {
      expect(users.findRelationWithPropertyPath('primaryTeam')?.joinColumns[0]?.databaseName).toBe(
        'primary_team_id',
      );
    });

    it('names the columns of a many-to-many join table after the tables they point to', () => {
      const junction = users.findRelationWithPropertyPath('memberTeams')!.junctionEntityMetadata!;
      expect(junction.columns.map((c) => c.databaseName).sort()).toEqual(['teams_id', 'users_id']);
    });
  });
});
