type Person = { id: string; name: string };

/** Names that look alike on screen are alike: case, spacing and compatibility forms aside. */
const lookOf = (name: string) => name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * The name to show for each of the people shown together, by id: their display name, or, when
 * another of them looks the same, the name followed by their user id ("ada · #42"), so that
 * the two can be told apart.
 */
export function distinctNames(people: readonly Person[]): Map<string, string> {
  const idsByLook = new Map<string, Set<string>>();
  for (const { id, name } of people) {
    const ids = idsByLook.get(lookOf(name)) ?? new Set<string>();
    ids.add(id);
    idsByLook.set(lookOf(name), ids);
  }
  return new Map(
    people.map(({ id, name }) => [
      id,
      idsByLook.get(lookOf(name))!.size > 1 ? `${name.trim()} · #${id}` : name,
    ]),
  );
}
