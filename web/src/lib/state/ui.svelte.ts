/** UI state shared by distant components: the new-discussion dialog is opened from several places. */
class UiState {
  pickerOpen = $state(false);

  openPicker(): void {
    this.pickerOpen = true;
  }

  closePicker(): void {
    this.pickerOpen = false;
  }
}

export const ui = new UiState();
