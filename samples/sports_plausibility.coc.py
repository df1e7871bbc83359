"""Is the following sentence plausible? "Joao Moutinho caught the screen pass in the NFC
championship." """
# BIG-Bench Hard, sports understanding: the LM names the sports, Python compares them.
# expected: False

player = "Joao Moutinho"
action = "caught the screen pass in the NFC championship"
player_sport = sport_played_by(player)  # -> str
action_sport = sport_of_action(action)  # -> str
answer = player_sport.lower() == action_sport.lower()
print(f"{player} plays {player_sport}; the action belongs to {action_sport}: plausible = {answer}")
