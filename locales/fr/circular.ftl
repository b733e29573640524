## Français (fr). Formules fixes des circulaires du TSB, tirées de ../shared/reference/wording.md.
## Les messages marqués « # unverified » n'y ont pas de formulation sourcée: à faire vérifier par un réviseur.

organisation = UNION INTERNATIONALE DES TÉLÉCOMMUNICATIONS
bureau = BUREAU DE LA NORMALISATION DES TÉLÉCOMMUNICATIONS
# unverified
sender-name = Bureau de la normalisation des télécommunications de l'UIT
date-line = Genève, le { DATE($date) }
reference-label = Réf.:
circular-designation = Circulaire TSB { $number }
# Pas d'intitulé: chaque ligne commence par « – Aux … » / « – À … » (wording.md §5, [1]). Un
# message vide omet l'intitulé.
addressees-label = { "" }
# The mark that ends every line of the addressee and copy lists but the last.
list-separator = ;
contact-label = Contact:
tel-label = Tél.:
fax-label = Télécopie:
email-label = Courriel:
subject-label = Objet:
# unverified
mail-subject = { $designation }: { $subject }
salutation = Madame, Monsieur,
closing = Veuillez agréer, Madame, Monsieur, l'assurance de ma considération distinguée.
signature-title = Directeur du Bureau de la normalisation des télécommunications
# unverified
copy-label = Copie:
# unverified
annexes = { $count ->
    [one] Annexe: { $count }
   *[other] Annexes: { $count }
}
# unverified
signed = (signé)
# unverified
# Le nom du destinataire vient après le deux-points: ni article ni élision à accorder (pas « contact
# de Administration … »).
footer-reason = Vous recevez cette circulaire en tant que contact de l'entité suivante dans la liste de distribution de l'UIT: { $addressee }
# unverified
footer-unsubscribe = Pour ne plus recevoir ces circulaires, désabonnez-vous ici: { $unsubscribe }
# unverified
footer-preferences = Pour choisir la langue et les sujets des circulaires que vous recevez: { $preferences }
# unverified
footer-language = Pour les recevoir dans une autre langue, veuillez répondre à ce message.

# Les mêmes destinataires dans chaque langue, dans l'ordre de la Circulaire TSB 36 (wording.md §6,
# [1]). Chaque ligne est une formule de la cellule de cette langue (wording.md §6 ou §10), ou est
# marquée unverified; tests/category_wording.rs le vérifie. Espace insécable (U+00A0) après « Rév. »,
# comme dans [1]; pas d'espace avant « ; » ni « : » (wording.md §9).
category-member-states = Aux États Membres de l'UIT
category-palestine = À l'État de Palestine (Résolution 99 (Rév. Dubaï, 2018))
category-sector-members = Aux Membres de Secteur de l'UIT
category-associates = Aux Associés de l'UIT
category-academia = Aux établissements universitaires participant aux travaux de l'Union
category-permanent-missions = Aux missions permanentes et aux ambassades à Genève
category-international-organizations = Aux organisations internationales, régionales et nationales compétentes
category-satellite-organizations = Aux organisations intergouvernementales exploitant des systèmes à satellites
category-united-nations = À l'Organisation des Nations Unies
category-specialized-agencies = Aux institutions spécialisées des Nations Unies et à l'Agence internationale de l'énergie atomique
# unverified
category-study-group-chairs = Aux Présidents et Vice-Présidents des Commissions d'études de l'UIT-T
category-director-bdt = Au Directeur du Bureau de développement des télécommunications
category-director-br = Au Directeur du Bureau des radiocommunications
category-secretary-general = Au Secrétaire général de l'UIT
