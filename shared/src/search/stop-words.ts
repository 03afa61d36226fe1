/**
 * French stop words, already folded (no accents, lower case): the most frequent words of any
 * French text, which say nothing about what a message is about. Dropping them keeps the index
 * small (they are the head of the word distribution) and results relevant. The elided forms
 * (l', d', qu'…) are here too, because apostrophes split words.
 */
export const FRENCH_STOP_WORDS: ReadonlySet<string> = new Set(
  `a ai aie aient aies ait alors as au aucun aura aurai auraient aurais aurait auras aurez auriez
  aurions aurons auront aussi autre aux avaient avais avait avant avec avez aviez avions avoir avons
  ayant ayez ayons c ca ce ceci cela celle celles celui cependant ces cet cette ceux chaque ci comme
  comment d dans de des du donc dont elle elles en encore es est et etaient etais etait etant etat
  ete etes etiez etions etre eu eue eues eurent eus eusse eussent eusses eussiez eussions eut eux
  fait faites fois font furent fus fusse fussent fusses fussiez fussions fut ici il ils j je jusqu
  l la le les leur leurs lors lorsqu lui m ma mais me meme memes mes moi mon n ne ni nos notre nous
  on ont or ou par parce pas peu peut plus pour pourquoi puis puisqu qu quand que quel quelle
  quelles quels qui quoi s sa sans se sera serai seraient serais serait seras serez seriez serions
  serons seront ses si sien soi soient sois soit sommes son sont sous soyez soyons suis sur t ta te
  tes toi ton tous tout toute toutes tres tu un une unes uns vos votre vous y`.split(/\s+/),
);
