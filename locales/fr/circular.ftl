## Français (fr). Formules fixes des circulaires du TSB, tirées de ../shared/reference/wording.md.
## Les messages marqués « # unverified » n'y ont pas de formulation sourcée: à faire vérifier par un réviseur.

organisation = UNION INTERNATIONALE DES TÉLÉCOMMUNICATIONS
bureau = BUREAU DE LA NORMALISATION DES TÉLÉCOMMUNICATIONS
# unverified
sender-name = Bureau de la normalisation des télécommunications de l'UIT
date-line = Genève, le { DATE($date) }
reference-label = Réf.:
circular-designation = Circulaire TSB { $number }
# unverified
addressees-label = Destinataires:
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
footer-reason = Vous recevez cette circulaire en tant que contact de { $addressee } dans la liste de distribution de l'UIT.
# unverified
footer-unsubscribe = Pour ne plus recevoir ces circulaires, désabonnez-vous ici: { $unsubscribe }
# unverified
footer-preferences = Pour choisir la langue et les sujets des circulaires que vous recevez: { $preferences }
# unverified
footer-language = Pour les recevoir dans une autre langue, veuillez répondre à ce message.

category-member-states = Aux États Membres de l'UIT
category-palestine = À l'État de Palestine (Résolution 99 (Rév. Dubaï, 2018))
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
